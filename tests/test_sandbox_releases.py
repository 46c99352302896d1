"""Releases and git data through the real PyGithub client, against the emulator and a bare repo."""

from __future__ import annotations

import pytest
from github import GithubException, UnknownObjectException
from github.Repository import Repository

from emulator_fixtures import BASE_URL_MODES, make_github, push_tag
from gitfixtures import OWNER, REPO, Project, git
from release_orchestrator.sandbox import Fault, GitHubEmulator


def _repo(emu: GitHubEmulator) -> Repository:
    return make_github(emu).get_repo(f"{OWNER}/{REPO}")


@BASE_URL_MODES
def test_create_release_tags_the_default_branch_and_is_found_by_tag(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    repo = _repo(github_emulator)
    assert repo.default_branch == "main"
    head = git(project.work, "rev-parse", "HEAD")

    created = repo.create_git_release("v0.2.0", "Release 0.2.0", "Notes.")

    assert project.remote_tag_commit("v0.2.0") == head  # a lightweight tag, like GitHub's
    found = repo.get_release("v0.2.0")
    assert (found.id, found.name, found.body) == (created.id, "Release 0.2.0", "Notes.")
    assert found.target_commitish == "main" and not found.draft and found.published_at
    assert repo.get_release(created.id).tag_name == "v0.2.0"
    assert repo.get_latest_release().id == created.id
    assert [r.id for r in repo.get_releases()] == [created.id]
    assert created.url.startswith(github_emulator.url)


@BASE_URL_MODES
def test_a_second_release_for_a_tag_is_422_already_exists(github_emulator: GitHubEmulator) -> None:
    repo = _repo(github_emulator)
    repo.create_git_release("v0.2.0", "v0.2.0", "first")

    with pytest.raises(GithubException) as caught:
        repo.create_git_release("v0.2.0", "v0.2.0", "again")

    assert caught.value.status == 422
    assert caught.value.data["errors"] == [
        {"resource": "Release", "code": "already_exists", "field": "tag_name"}
    ]


def test_a_retried_create_after_a_5xx_the_server_acted_on_meets_already_exists(
    github_emulator: GitHubEmulator,
) -> None:
    repo = _repo(github_emulator)
    github_emulator.inject(
        Fault.server_error(502, after_handling=True), method="POST", path="/releases$"
    )

    with pytest.raises(GithubException) as caught:
        repo.create_git_release("v0.2.0", "v0.2.0", "notes")  # GithubRetry re-sends the POST

    assert caught.value.status == 422
    assert [r.tag_name for r in repo.get_releases()] == ["v0.2.0"]
    statuses = [r.status for r in github_emulator.requests if r.method == "POST"]
    assert statuses == [502, 422]


def test_generated_notes_name_the_release_after_its_tag(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    repo = _repo(github_emulator)
    repo.create_git_release("v0.1.0", "v0.1.0", "first")
    project.write("CHANGES.md", "more\n")
    project.commit_all("Add the changelog")
    project.push()

    release = repo.create_git_release("v0.2.0", generate_release_notes=True)
    notes = repo.generate_release_notes("v0.3.0", previous_tag_name="v0.1.0")

    assert release.name == "v0.2.0"
    assert "* Add the changelog" in release.body
    assert release.body.endswith(f"/{OWNER}/{REPO}/compare/v0.1.0...v0.2.0")
    assert notes.name == "v0.3.0" and "* Add the changelog" in notes.body


def test_a_draft_creates_no_tag_until_it_is_published(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    repo = _repo(github_emulator)
    draft = repo.create_git_release("v0.2.0", "v0.2.0", "wip", draft=True)
    assert project.remote_tag_commit("v0.2.0") is None
    with pytest.raises(UnknownObjectException):
        repo.get_release("v0.2.0")  # GitHub finds only published releases by tag

    published = draft.update_release("v0.2.0", "done", draft=False)

    assert not published.draft and published.published_at is not None
    assert project.remote_tag_commit("v0.2.0") == git(project.work, "rev-parse", "HEAD")


def test_target_commitish_and_delete_keep_the_tag(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    repo = _repo(github_emulator)
    first = git(project.work, "rev-parse", "HEAD")
    project.write("later.txt", "x\n")
    project.commit_all("later")
    project.push()

    release = repo.create_git_release("v0.1.5", "old", "", target_commitish=first)
    release.delete_release()

    assert project.remote_tag_commit("v0.1.5") == first
    with pytest.raises(UnknownObjectException):
        repo.get_release(release.id)


@BASE_URL_MODES
def test_git_refs_and_annotated_tags_come_from_the_bare_repo(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    repo = _repo(github_emulator)
    commit = push_tag(project, "v1.0.0")

    ref = repo.get_git_ref("tags/v1.0.0")
    assert ref.ref == "refs/tags/v1.0.0" and ref.object.type == "tag"
    tag = repo.get_git_tag(ref.object.sha)
    assert (tag.tag, tag.object.sha, tag.message) == ("v1.0.0", commit, "Release v1.0.0\n")
    assert [r.ref for r in repo.get_git_matching_refs("tags/v1")] == ["refs/tags/v1.0.0"]
    assert list(repo.get_git_matching_refs("tags/nope")) == []
    with pytest.raises(UnknownObjectException):
        repo.get_git_ref("tags/v9.9.9")


def test_an_annotated_tag_made_through_the_api_lands_in_the_bare_repo(
    github_emulator: GitHubEmulator, project: Project
) -> None:
    repo = _repo(github_emulator)
    head = git(project.work, "rev-parse", "HEAD")

    tag = repo.create_git_tag("v2.0.0", "Release 2.0.0", head, "commit")
    ref = repo.create_git_ref("refs/tags/v2.0.0", tag.sha)

    assert ref.object.sha == tag.sha and ref.object.type == "tag"
    assert git(project.origin, "cat-file", "-t", "refs/tags/v2.0.0") == "tag"
    assert project.remote_tag_commit("v2.0.0") == head
    with pytest.raises(GithubException) as caught:
        repo.create_git_ref("refs/tags/v2.0.0", head)
    assert caught.value.status == 422
