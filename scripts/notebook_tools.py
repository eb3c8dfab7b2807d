#!/usr/bin/python3
"""Helpers for scripts/run-notebooks.sh, run with Debian's python3 (which has nbformat and nbconvert).

  notebook_tools.py errors NOTEBOOK          print every failed cell (and exit 1 if there is one)
  notebook_tools.py export-html NOTEBOOK OUT  write an HTML export that works offline
  notebook_tools.py to-dib NOTEBOOK OUT       write the notebook as a Polyglot Notebooks .dib file (no outputs)
"""
import sys

import nbformat

# The .NET kernel's first output is a script that loads require.js from a CDN and probes the live
# kernel's HTTP port. In an export the kernel is gone: the script can only make network requests
# (and a global require.js breaks UMD bundles such as plotly.js), so the export leaves it out.
KERNEL_BOOTSTRAP_MARKERS = ("dotnet-interactive-this-cell-", "probeAddresses")


def text_of(value):
    return "".join(value) if isinstance(value, list) else (value or "")


def first_line(cell):
    lines = [line for line in text_of(cell.get("source")).splitlines() if line.strip()]
    return lines[0].strip() if lines else "(empty cell)"


def errors(path):
    nb = nbformat.read(path, as_version=4)
    failures = 0
    for index, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        outputs = cell.get("outputs", [])
        # A compilation error's diagnostics are in the cell's stderr stream, not in the error output.
        stderr = "".join(text_of(o.get("text")) for o in outputs
                         if o.get("output_type") == "stream" and o.get("name") == "stderr").strip()
        for output in outputs:
            if output.get("output_type") != "error":
                continue
            failures += 1
            print(f"cell {index} ({first_line(cell)}): {output.get('ename', '')}: {output.get('evalue', '')}")
            for line in output.get("traceback", []):
                print("    " + line)
            for line in stderr.splitlines():
                print("    stderr: " + line)
    return 1 if failures else 0


def is_kernel_bootstrap(output):
    html = text_of(output.get("data", {}).get("text/html"))
    return all(marker in html for marker in KERNEL_BOOTSTRAP_MARKERS)


def export_html(path, out):
    from nbconvert import HTMLExporter

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if not is_kernel_bootstrap(o)]
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    with open(out, "w", encoding="utf-8") as f:
        f.write(body)
    return 0


def to_dib(path, out):
    """The .dib format of VS Code's Polyglot Notebooks: a #!meta header, then each cell after a #!csharp or
    #!markdown line. The .ipynb stays the one source: the .dib is regenerated from it, never edited by hand."""
    nb = nbformat.read(path, as_version=4)
    meta = '{"kernelInfo":{"defaultKernelName":"csharp","items":[{"aliases":[],"name":"csharp"}]}}'
    parts = ["#!meta\n\n" + meta]
    for cell in nb.cells:
        kind = "markdown" if cell.cell_type == "markdown" else "csharp"
        parts.append(f"#!{kind}\n\n" + text_of(cell.source).strip("\n"))
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n\n".join(parts) + "\n")
    return 0


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "errors":
        sys.exit(errors(*args))
    if command == "export-html":
        sys.exit(export_html(*args))
    if command == "to-dib":
        sys.exit(to_dib(*args))
    sys.exit(f"unknown command {command}; see {__file__}")
