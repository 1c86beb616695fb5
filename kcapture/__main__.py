from kcapture.cli import run

run()
