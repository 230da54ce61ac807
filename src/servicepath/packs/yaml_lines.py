"""Read YAML safely while remembering the line of every value, so that errors can name it."""

from __future__ import annotations

from typing import Any

import yaml

Path = tuple[str | int, ...]

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML has it (the shipped packs load in about 0.4 s instead of 0.9 s), the same safe
constructors either way."""


class YamlProblem(yaml.YAMLError):
    """A problem the YAML parser itself lets through: a key given twice, or a tag that would build an object."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = yaml.Mark("", 0, line - 1, 0, "", 0)


class YamlDocument:
    def __init__(self, data: Any, lines: dict[Path, int]) -> None:
        self.data = data
        self.lines = lines

    def line_of(self, path: Path) -> int:
        """The line of the value at `path`, or of its nearest enclosing value that has one."""
        path = tuple(path)
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)


def load(text: str) -> YamlDocument:
    """Parse one YAML document with the safe loader (no tags that build objects); raise yaml.YAMLError."""
    loader = SafeLoader(text)
    try:
        root = loader.get_single_node()
        lines: dict[Path, int] = {}
        data = _build(loader, root, (), lines) if root is not None else None
    finally:
        loader.dispose()
    return YamlDocument(data, lines)


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: Path, lines: dict[Path, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if node.tag not in loader.yaml_constructors:
        raise YamlProblem(node.start_mark.line + 1, f"the tag '{node.tag}' is not allowed in a law pack")
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in result:
                raise YamlProblem(key_node.start_mark.line + 1, f"'{key}' is given twice")
            if isinstance(key, int | str):
                lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _build(loader, value_node, (*path, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*path, index), lines) for index, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
