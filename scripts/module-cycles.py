#!/usr/bin/env python3
"""Import cycles among the modules of a Rust crate, at file level.

Usage: scripts/module-cycles.py [--edges] [CRATE_ROOT ...]
       (default: lab/src/lib.rs and lab/src/main.rs, the peerlab library and binary)

From each crate root it follows the `mod NAME;` declarations to the crate's files, then reads
every file's references to other modules of the same crate:
- `use` trees (`use crate::a::{b, c::D}`, `use super::x`, `use self::y`, `pub use …`, and a
  first segment naming a child module, `use plan::Planned`);
- paths in code starting with `crate::`, `super::`, `self::` or a child module's name
  (`super::ops::Done::Rekeyed`, `judge::blocks_provisioning(…)`), whose last segment is an
  item, not a module.
A reference goes to the file of the longest module prefix of its path; `super` inside an
inline module (`mod tests { use super::*; }`) is the file's own module. Comments and string
literals are ignored, so are `mod` declarations themselves (declaring a child is not importing
it). A file depending on itself is not an edge.

Prints every cycle (one per strongly connected component of two files or more, as
`a.rs -> b.rs -> a.rs`) and exits 1 when there is one; otherwise prints the number of files and
edges and "no import cycle", exit 0. `--edges` also prints every edge.
Paths to other crates (`peerlab::…` from the binary, `bgp_core::…`) are never edges: crates
cannot import each other in a circle, cargo refuses it. Any crate can be checked, e.g.
`scripts/module-cycles.py route-server/src/lib.rs`.

Not seen: a method called on a type whose `impl` sits in another file (`top.plan_connection(…)`
with `impl Topology` in edges.rs) — that needs the compiler's type information.
"""

import os
import re
import sys

KEYWORDS_START = {"crate", "super", "self"}


def strip(text):
    """The text with comments, string and char literals blanked (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            out.append(" ")
            continue
        m = re.compile(r'b?r(#*)"').match(text, i)
        if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            end = text.find('"' + m.group(1), m.end())
            i = n if end < 0 else end + 1 + len(m.group(1))
            out.append('""')
            continue
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append('""')
            continue
        if c == "'":
            m = re.compile(r"'(?:[^'\\\n]|\\(?:u\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{2}|.))'").match(text, i)
            if m:
                out.append("' '")
                i = m.end()
                continue
        out.append(c)
        i += 1
    return "".join(out)


TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|::|[{}();,*]|\S")


def tokens(text):
    return TOKEN.findall(strip(text))


IDENT = re.compile(r"[A-Za-z_]\w*$")


def scopes(toks):
    """For each token, the inline modules (`mod tests { … }`) it sits in, outermost first."""
    out = []
    stack, opened_at, level = (), [], 0
    for k, t in enumerate(toks):
        out.append(stack)
        if t == "{":
            if k >= 2 and toks[k - 2] == "mod" and IDENT.match(toks[k - 1]):
                stack = stack + (toks[k - 1],)
                opened_at.append(level)
            level += 1
        elif t == "}":
            level -= 1
            if opened_at and opened_at[-1] == level:
                opened_at.pop()
                stack = stack[:-1]
    return out


class Crate:
    def __init__(self, root):
        self.root = os.path.normpath(root)
        self.modules = {}  # module path (tuple) -> file
        self.files = {}  # file -> module path of the file
        self._load(self.root, ())

    def _child_file(self, file, module, name):
        base = os.path.dirname(file)
        stem = os.path.splitext(os.path.basename(file))[0]
        if file != self.root and stem != "mod":
            base = os.path.join(base, stem)
        for cand in (os.path.join(base, name + ".rs"), os.path.join(base, name, "mod.rs")):
            if os.path.exists(cand):
                return cand
        return None

    def _load(self, file, module):
        self.modules[module] = file
        self.files[file] = module
        with open(file, encoding="utf-8") as f:
            toks = tokens(f.read())
        inline = scopes(toks)
        for k, t in enumerate(toks):
            if t == "mod" and k + 2 < len(toks) and IDENT.match(toks[k + 1]):
                name, nxt = toks[k + 1], toks[k + 2]
                if nxt == ";" and not inline[k]:
                    child = self._child_file(file, module, name)
                    if child:
                        self._load(child, module + (name,))
                elif nxt == "{":
                    self.modules[module + inline[k] + (name,)] = file

    def children(self, module):
        return {m[-1] for m in self.modules if len(m) == len(module) + 1 and m[: len(module)] == module}

    def resolve(self, current, segments):
        """The file a path from module `current` refers to, or None (another crate, an item)."""
        if not segments:
            return None
        first = segments[0]
        if first == "crate":
            base, rest = (), segments[1:]
        elif first in ("super", "self"):
            base, rest = current, segments
            while rest and rest[0] in ("super", "self"):
                if rest[0] == "super":
                    base = base[:-1]
                rest = rest[1:]
        elif first in self.children(current):
            base, rest = current, segments
        else:
            return None
        path = tuple(base) + tuple(rest)
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.modules:
                return self.modules[path[:cut]]
        return None


def use_paths(toks, k):
    """The paths of the `use` tree starting at toks[k] (just after `use`); the index after `;`."""
    paths = []

    def tree(i, prefix):
        segs = list(prefix)
        while i < len(toks):
            t = toks[i]
            if t == "{":
                i += 1
                while i < len(toks) and toks[i] != "}":
                    i = tree(i, segs)
                    if i < len(toks) and toks[i] == ",":
                        i += 1
                return i + 1
            if t in (",", "}", ";"):
                paths.append(segs)
                return i
            if t == "::":
                i += 1
                continue
            if t == "as":
                paths.append(segs)
                i += 2
                while i < len(toks) and toks[i] not in (",", "}", ";"):
                    i += 1
                return i
            if t == "*":
                paths.append(segs)
                return i + 1
            segs = segs + [t]
            i += 1
        paths.append(segs)
        return i

    i = tree(k, [])
    while i < len(toks) and toks[i] != ";":
        i += 1
    return paths, i + 1


def edges_of(crate, file):
    module = crate.files[file]
    with open(file, encoding="utf-8") as f:
        toks = tokens(f.read())
    found = set()
    inline = scopes(toks)
    k = 0
    while k < len(toks):
        t = toks[k]
        current = module + inline[k]
        if t == "use" and (k == 0 or toks[k - 1] != "::"):
            paths, k = use_paths(toks, k + 1)
            for p in paths:
                target = crate.resolve(current, p)
                if target:
                    found.add(target)
            continue
        elif IDENT.match(t) and k + 1 < len(toks) and toks[k + 1] == "::" and (
            k == 0 or toks[k - 1] != "::"
        ):
            if t in KEYWORDS_START or t in crate.children(current):
                segs = [t]
                j = k + 1
                while j + 1 < len(toks) and toks[j] == "::" and IDENT.match(toks[j + 1]):
                    segs.append(toks[j + 1])
                    j += 2
                # The last segment of a path in code is an item (a function, a type, a
                # constant), never a module: `super::status(…)` calls cli/mod.rs's `status`,
                # whatever module of that name exists beside it.
                target = crate.resolve(current, segs[:-1])
                if target:
                    found.add(target)
                k = j
                continue
        k += 1
    found.discard(file)
    return found


def cycles(graph):
    """One cycle per strongly connected component of two nodes or more (Tarjan)."""
    index, low, on, stack, comps = {}, {}, set(), [], []
    counter = [0]

    def connect(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            connect(v)
    out = []
    for comp in comps:
        members = set(comp)
        start = comp[0]
        # Shortest way back to the start inside the component (breadth first).
        prev, frontier, found = {start: None}, [start], None
        while frontier and not found:
            nxt = []
            for v in frontier:
                for w in sorted(graph[v] & members):
                    if w == start:
                        found = v
                        break
                    if w not in prev:
                        prev[w] = v
                        nxt.append(w)
                if found:
                    break
            frontier = nxt
        path, v = [start], found
        while v is not None and v != start:
            path.insert(1, v)
            v = prev[v]
        out.append((comp, path + [start]))
    return out


def main(argv):
    show_edges = "--edges" in argv
    roots = [a for a in argv if a != "--edges"]
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    if not roots:
        roots = [os.path.join(repo, "lab/src/lib.rs"), os.path.join(repo, "lab/src/main.rs")]
    status = 0
    for root in roots:
        crate = Crate(root)
        graph = {f: edges_of(crate, f) for f in crate.files}
        rel = lambda f: os.path.relpath(f, repo)
        n_edges = sum(len(v) for v in graph.values())
        print(f"{rel(crate.root)}: {len(graph)} files, {n_edges} edges")
        if show_edges:
            for f in sorted(graph):
                for g in sorted(graph[f]):
                    print(f"  {rel(f)} -> {rel(g)}")
        found = cycles(graph)
        for comp, path in found:
            print(f"  cycle: {' -> '.join(rel(f) for f in path)}")
            if len(comp) > len(path) - 1:
                print(f"    (in a knot of {len(comp)} files: {', '.join(rel(f) for f in comp)})")
        if found:
            status = 1
        else:
            print("  no import cycle")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
