"""``release doctor`` on patterns from a sweep of real publishing workflows.

Each fixture is written here, small, for one pattern that made the doctor report an error
(and so block ``release cut``) on a workflow that publishes its releases; the rule: an error
only where the upload is certain to fail.
"""

from __future__ import annotations

import pytest

from gitfixtures import PYPROJECT, Project, git
from test_doctor import GOOD, codes, doctor, finding, pypi, use
from test_doctor_real_world import publish_job

pytestmark = pytest.mark.usefixtures("pypi")
__all__ = ["pypi"]  # a fixture, used through pytestmark


# --- short options mean different things to different uploaders --------------------------


@pytest.mark.parametrize(
    ("run", "flagged"),
    [
        ("pdm publish -p packages/core", False),  # pdm: -p is --project
        ("pdm publish -P ${{ secrets.PYPI }}", True),  # pdm: -P is --password
        ("poetry publish -P packages/core", False),  # poetry 2: -P is --project
        ("poetry publish -p ${{ secrets.PYPI }}", True),
        ("hatch publish -p index", False),  # hatch: -p is --publisher
        ("hatch publish -a ${{ secrets.PYPI }}", True),  # hatch: -a is --auth
        ("maturin upload -p ${{ secrets.PYPI }} dist/*", True),
        ("uv publish -t ${{ secrets.PYPI }}", True),
        ("twine upload -p ${{ secrets.PYPI }} dist/*", True),
    ],
)
def test_a_password_option_is_read_as_its_uploader_reads_it(
    project: Project, run: str, flagged: bool
) -> None:
    """Pattern: `pdm publish -p src/pkg` per package of a monorepo, with id-token: write."""
    use(project, publish_job(f"      - run: {run}\n"))
    _, data = doctor(cwd=project.work)
    found = {code for code, _ in codes(data)}
    assert ("password-with-trusted-publishing" in found) == flagged


# --- which job is the release's, when a TestPyPI job comes first -------------------------

TESTPYPI_JOB = """\
  publish-test:
    needs: build
    runs-on: ubuntu-latest
    environment: testpypi
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@v4
        with: {name: dist, path: dist/}
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          repository-url: https://test.pypi.org/legacy/
"""
# The PyPI job, after the rehearsal, lacks id-token: write: only a check of that job finds it.
TESTPYPI_FIRST = GOOD.replace("    permissions:\n      id-token: write\n", "").replace(
    "  publish:\n", TESTPYPI_JOB + "  publish:\n"
)


def test_with_no_publisher_configured_the_pypi_job_is_checked(project: Project) -> None:
    """Pattern: a TestPyPI rehearsal job first in the file, then the PyPI job (hynek's)."""
    use(project, TESTPYPI_FIRST)
    _, data = doctor(cwd=project.work)
    assert data["job"] == "publish"
    assert ("missing-id-token", "error") in codes(data)


# --- a workflow that the branch push, not the tag, starts --------------------------------

ON_BRANCH = GOOD.replace('  push:\n    tags: ["v*"]\n', "  push:\n    branches: [BRANCH]\n")


@pytest.mark.parametrize(
    ("branch", "condition", "severity"),
    [
        ("main", "", "warning"),  # release cut pushes main with the tag: that run may upload
        ("trunk", "", "error"),  # a branch release cut does not push
        ("main", "    if: startsWith(github.ref, 'refs/tags/')\n", "error"),  # skips there
        ("main", "    if: github.ref == 'refs/heads/main'\n", "warning"),
    ],
)
def test_a_workflow_on_the_release_branch_push_is_not_certain_to_miss_the_release(
    project: Project, branch: str, condition: str, severity: str
) -> None:
    """Pattern: `on: push: branches: [main]` publishing each push (sampleproject, nightlies)."""
    current = git(project.work, "branch", "--show-current")
    text = ON_BRANCH.replace("BRANCH", current if branch == "main" else branch)
    use(project, text.replace("    environment: pypi\n", f"    environment: pypi\n{condition}"))
    _, data = doctor(cwd=project.work)
    assert ("tag-not-triggering", severity) in codes(data)
    if severity == "warning":
        assert f"pushes branch {current}" in finding(data, "tag-not-triggering")["message"]


def test_the_configured_release_branch_is_the_one_pushed(project: Project) -> None:
    use(
        project,
        ON_BRANCH.replace("BRANCH", "release"),
    )
    project.write("pyproject.toml", PYPROJECT + 'branch = "release"\n')  # in [tool.release]
    _, data = doctor(cwd=project.work)
    assert ("tag-not-triggering", "warning") in codes(data)
    assert "pushes branch release" in finding(data, "tag-not-triggering")["message"]


def test_the_branch_of_a_linked_worktree_is_the_one_pushed(project: Project) -> None:
    # A linked worktree's .git is a file, not a directory: git itself says the branch.
    use(project, ON_BRANCH.replace("BRANCH", "'maint*'"))
    project.commit_all("on maint")
    linked = project.work.parent / "maint-worktree"
    git(project.work, "worktree", "add", "-q", "-b", "maint", str(linked))
    _, data = doctor(cwd=linked)
    assert ("tag-not-triggering", "warning") in codes(data)
    assert "pushes branch maint" in finding(data, "tag-not-triggering")["message"]


# --- the message names the release types the workflow listens to -------------------------


@pytest.mark.parametrize(
    ("on", "said"),
    [
        ("  release:\n    types: [released]\n", "`release: types: [released]`"),
        ("  release:\n", "`release:`"),
    ],
)
def test_a_release_workflow_in_tag_mode_is_named_by_its_own_types(
    project: Project, on: str, said: str
) -> None:
    """Pattern: `release: types: [released]` (jwst), reported as if it were `published`."""
    use(project, GOOD.replace('  push:\n    tags: ["v*"]\n', on))
    _, data = doctor(cwd=project.work)
    message = finding(data, "tag-not-triggering")["message"]
    assert f"runs on {said}, but release cut makes no GitHub Release" in message
