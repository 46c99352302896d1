from release_orchestrator.cli import main

main()
