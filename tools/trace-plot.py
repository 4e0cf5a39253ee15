#!/usr/bin/python3
"""Draws a clgooglenet trace (--trace FILE.json) as one self-contained SVG.

    tools/trace-plot.py trace.json -o trace.svg [--run N] [--top 25]

Top: a timeline of one run (default: the last), one row per queue, kernels
coloured by op. Bottom: time per layer summed over all runs, largest first.
Needs matplotlib (Debian: python3-matplotlib).
"""
import argparse
import collections
import json
import sys

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402


def load(path):
    with open(path, encoding='utf-8') as f:
        doc = json.load(f)
    spans = [e for e in doc['traceEvents'] if e.get('ph') == 'X']
    process = next((e['args']['name'] for e in doc['traceEvents']
                    if e.get('ph') == 'M' and e.get('name') == 'process_name'), 'clgooglenet')
    if not spans:
        sys.exit('%s: no complete events' % path)
    return spans, process


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('trace', help='trace JSON written by clgooglenet --trace')
    ap.add_argument('-o', '--output', default='trace.svg', help='output .svg (or .png)')
    ap.add_argument('--run', type=int, default=-1, help='run to draw on the timeline (default: last)')
    ap.add_argument('--top', type=int, default=25, help='layers in the bar chart')
    args = ap.parse_args()

    spans, process = load(args.trace)
    runs = sorted({e['args'].get('run', 0) for e in spans})
    run = runs[args.run] if -len(runs) <= args.run < len(runs) else runs[-1]
    ops = sorted({e['args']['op'] for e in spans})
    colours = {op: plt.cm.tab20(i % 20) for i, op in enumerate(ops)}

    fig, (timeline, bars) = plt.subplots(2, 1, figsize=(14, 11), gridspec_kw={'height_ratios': [1, 3]})
    shown = [e for e in spans if e['args'].get('run', 0) == run]
    t0 = min(e['ts'] for e in shown)
    for e in shown:
        timeline.broken_barh([((e['ts'] - t0) / 1e3, e['dur'] / 1e3)], (e['tid'] - 0.4, 0.8),
                             facecolors=colours[e['args']['op']], edgecolors='none')
    lanes = sorted({e['tid'] for e in shown})
    timeline.set_yticks(lanes, ['queue %d' % (t - 1) for t in lanes])
    timeline.set_xlabel('ms since the run started')
    timeline.set_title('%s: run %d of %d, %.2f ms of device time'
                       % (process, run + 1, len(runs), sum(e['dur'] for e in shown) / 1e3))
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[op]) for op in ops]
    timeline.legend(handles, ops, ncol=min(len(ops), 8), fontsize=7, loc='upper center',
                    bbox_to_anchor=(0.5, -0.35))

    per_layer = collections.defaultdict(float)
    layer_op = {}
    for e in spans:
        per_layer[e['name']] += e['dur'] / 1e3
        layer_op[e['name']] = e['args']['op']
    total = sum(per_layer.values())
    top = sorted(per_layer.items(), key=lambda kv: kv[1], reverse=True)[:args.top]
    names = [n for n, _ in top][::-1]
    values = [v for _, v in top][::-1]
    bars.barh(names, values, color=[colours[layer_op[n]] for n in names])
    for y, v in enumerate(values):
        bars.text(v, y, ' %.2f ms (%.1f%%)' % (v, 100 * v / total), va='center', fontsize=7)
    bars.set_xlabel('ms, summed over %d run(s)' % len(runs))
    bars.set_title('the %d most expensive of %d layers (%.1f ms in all)' % (len(top), len(per_layer), total))
    bars.tick_params(axis='y', labelsize=7)
    fig.tight_layout()
    fig.savefig(args.output)
    print('wrote %s' % args.output)


if __name__ == '__main__':
    main()
