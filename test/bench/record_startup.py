"""Start-up cost of the recorder for `npm run bench:record`.

usage: record_startup.py RUNS CODE RECORDER_PATH OUT_DIR ROOT

Starts `python -c CODE` RUNS times without and RUNS times with the recorder on PYTHONPATH,
alternating, and prints one JSON object with the median CPU time (user + system, in ms) of the
children for each: CPU time, so that other processes on the machine do not count.
"""
import json
import os
import subprocess
import sys


def cpu_ms(code, env):
    child = subprocess.Popen([sys.executable, "-c", code], env=env)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit("python -c %r failed" % code)
    return (usage.ru_utime + usage.ru_stime) * 1000


def main():
    runs, code, recorder, out_dir, root = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
    plain_env = dict(os.environ)
    recorded_env = dict(os.environ, PYTHONPATH=recorder, EINSIGHT_RECORD_DIR=out_dir, EINSIGHT_RECORD_ROOT=root)
    cpu_ms(code, recorded_env)  # compiles the recorder's .pyc, as the first process of a run does
    plain, recorded = [], []
    for _ in range(runs):
        plain.append(cpu_ms(code, plain_env))
        recorded.append(cpu_ms(code, recorded_env))
    median = lambda values: sorted(values)[len(values) // 2]
    print(json.dumps({"plain": median(plain), "recorded": median(recorded)}))


if __name__ == "__main__":
    main()
