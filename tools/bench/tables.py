"""The tables every benchmark prints: a title, the device the figures come from, right-aligned
columns; floats with two decimals."""
from bench_paths import device_line


def print_table(title: str, header: list[str], rows: list[list]) -> None:
    cells = [[fmt(v) for v in r] for r in rows]
    widths = [max(len(str(h)), *(len(c[i]) for c in cells)) + 2 for i, h in enumerate(header)]
    print(f"\n{title}\n{device_line()}")
    print("".join(f"{h:>{w}}" for h, w in zip(header, widths)))
    print("-" * sum(widths))
    for c in cells:
        print("".join(f"{v:>{w}}" for v, w in zip(c, widths)))


def fmt(v) -> str:
    return f"{v:.2f}" if isinstance(v, float) else str(v)
