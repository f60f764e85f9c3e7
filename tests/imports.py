"""What a source file imports, read from its syntax tree: every import in it, a function's too."""

import ast
from pathlib import Path


def imported_modules(source: Path) -> set[str]:
    """The modules `source` imports by absolute name; `from a.b import c` counts `a.b` and `a.b.c`
    (c may be a module of the package or a name in it)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found
