"""``python -m distillcost`` runs the same CLI as the console script."""

from distillcost.cli import main

if __name__ == "__main__":
    main()
