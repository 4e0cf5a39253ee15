#!/usr/bin/python3
"""Validates a clgooglenet trace as Chrome trace-event JSON (stdlib only).

check_trace.py TRACE.json [NODE_NAME...]
Checks: parses as JSON; metadata names the process and every lane; complete
events have ts/dur in microseconds with dur > 0; kernel launches name their
program file and build options (so each can be rebuilt alone); events in one
lane do not overlap; each NODE_NAME given appears as an event name. Exit 1 on
failure.
"""
import json
import sys


def main():
    path, nodes = sys.argv[1], sys.argv[2:]
    with open(path, encoding='utf-8') as f:
        doc = json.load(f)
    events = doc['traceEvents']
    meta = [e for e in events if e.get('ph') == 'M']
    spans = [e for e in events if e.get('ph') == 'X']
    errors = []
    if not any(e['name'] == 'process_name' for e in meta):
        errors.append('no process_name metadata')
    lanes = {e['tid'] for e in spans}
    named = {e['tid'] for e in meta if e['name'] == 'thread_name'}
    if lanes - named:
        errors.append('lanes without thread_name: %s' % sorted(lanes - named))
    for e in spans:
        for key in ('name', 'ts', 'dur', 'pid', 'tid', 'args'):
            if key not in e:
                errors.append('event without %s: %r' % (key, e))
        if e['dur'] <= 0:
            errors.append('non-positive duration: %r' % e)
        for key in ('op', 'variant', 'gflop', 'bytes', 'global', 'local'):
            if key not in e['args']:
                errors.append('event %s lacks args.%s' % (e['name'], key))
        # Kernel launches (not transfers or library calls): a global size and a .cl program.
        args = e['args']
        if args.get('global') and args.get('variant') != 'CLBlastSgemm':
            if not str(args.get('program', '')).endswith('.cl') or 'options' not in args:
                errors.append('kernel event %s lacks args.program / args.options' % e['name'])
    for lane in lanes:
        ordered = sorted((e for e in spans if e['tid'] == lane), key=lambda e: e['ts'])
        for a, b in zip(ordered, ordered[1:]):
            # 1 ns of slack for the microsecond rounding of the writer.
            if b['ts'] < a['ts'] + a['dur'] - 1e-3:
                errors.append('overlap in lane %d: %s and %s' % (lane, a['name'], b['name']))
    names = {e['name'] for e in spans}
    for n in nodes:
        if n not in names:
            errors.append('node %s missing from the trace' % n)
    for e in errors[:20]:
        print('trace check:', e)
    print('%s: %d events in %d lane(s), %s' % (path, len(spans), len(lanes), 'ok' if not errors else 'FAILED'))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
