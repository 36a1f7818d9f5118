"""`python -m moderation` is the same as the `moderation` command."""

from moderation.cli import main

raise SystemExit(main())
