"""Shared helpers of the reference implementations: nearest-rank percentiles and output."""

import json
import math
import sys


def nearest_rank(sorted_values, p):
    """SPEC 4.1: the value at position ceil(p/100 x n) (1-based) of the sorted list."""
    n = len(sorted_values)
    if n == 0:
        return None
    k = max(1, math.ceil(p / 100 * n))
    return float(sorted_values[k - 1])


def emit(result):
    json.dump(result, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")
