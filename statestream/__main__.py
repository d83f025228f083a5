from statestream.cli import main

raise SystemExit(main())
