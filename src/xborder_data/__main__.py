"""The ``xborder-data`` command and ``python -m xborder_data``.

The bare command, the one most run, prints the summary of the bundled copy;
when every file is this library's release (``summary.release_summary``) it is
written without importing click or parsing a schema. Everything else is the
click CLI in ``cli.py``.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the command line (the ``xborder-data`` entry point)."""
    if sys.stdout is None:  # started with standard output closed (`xborder-data >&-`): every command prints there
        if sys.stderr is not None:
            print("Error: standard output is closed; redirect it to a file or to /dev/null instead.", file=sys.stderr)
        sys.exit(1)
    if len(sys.argv) == 1:
        from xborder_data.summary import release_summary
        from xborder_data.terminal import configure_streams, os_error_message, silence_stdout

        configure_streams()
        try:
            lines = release_summary()
            if lines is not None:
                for text, err in lines:
                    print(text, file=sys.stderr if err else sys.stdout)
                sys.stdout.flush()
                return
        except BrokenPipeError:  # the reader left early (`xborder-data | head`), as the CLI treats it
            silence_stdout()
            return
        except KeyboardInterrupt:
            print("Error: stopped by SIGINT.", file=sys.stderr)
            sys.exit(130)
        except OSError as error:  # stdout full or closed
            silence_stdout()
            print(f"Error: {os_error_message(error)}", file=sys.stderr)
            sys.exit(1)
    from xborder_data.cli import main as click_main

    click_main()


if __name__ == "__main__":
    main()
