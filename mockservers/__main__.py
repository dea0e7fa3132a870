from mockservers.cli import main

raise SystemExit(main())
