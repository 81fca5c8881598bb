"""``python -m neuroseq``: the same command line as the ``neuroseq`` script."""

from neuroseq.cli import main

if __name__ == "__main__":
    main(prog_name="neuroseq")
