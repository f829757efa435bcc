"""pool: a ThreadPoolExecutor with 6 workers that each ran one task and now
wait idle for work. Prints "ready <pid>" once all 6 exist."""
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

barrier = threading.Barrier(7)
pool = ThreadPoolExecutor(max_workers=6, thread_name_prefix="pyworker")
for _ in range(6):
    pool.submit(barrier.wait)
barrier.wait()
print("ready", os.getpid(), flush=True)
time.sleep(600)
sys.exit(0)
