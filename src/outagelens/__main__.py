"""`python -m outagelens` runs the command line."""

from outagelens.cli import main

main()
