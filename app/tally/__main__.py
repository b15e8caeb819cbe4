"""Run the tally command without the Flask app: `python -m app.tally FILE.pb --rule mes`."""
from app.tally.cli import tally_command

if __name__ == "__main__":
    tally_command(prog_name="python -m app.tally")
