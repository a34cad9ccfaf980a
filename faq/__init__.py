"""The FAQ bank: schema, loading and validation, matcher, evaluation, tuning.

numpy's BLAS gets one thread: the matcher's own numpy work is a few small matrix-vector
products, and BLAS worker threads left spinning after them steal the cores the sentence
encoder's threads need next (measured: decision p95 42 ms → 25 ms with a 1,000-entry
bank on 2 cores). Set before numpy is first imported; an explicit setting wins.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
