"""Scaling of data-parallel training on MPI for the bench's `mlp` workload.

Run it with mpirun for each rank count, one thread per rank:

    for n in 1 2; do
      mpirun --allow-run-as-root --oversubscribe -n $n -x OMP_NUM_THREADS=1 \
          -x OPENBLAS_NUM_THREADS=1 python benchmarks/bench_distributed.py --json out_$n.json
    done

Prints training samples/s (global batch 128, 784-512-512-10 MLP, RMSprop), the
bytes each rank sends per step in the gradient Allreduce, and, given the
1-rank result (--baseline), the scaling efficiency.
"""
import argparse
import json
import time

import numpy as np

from keraslike import distributed
from keraslike.layers import Dense, Dropout
from keraslike.models import Sequential
from keraslike.optimizers import RMSprop


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--samples', type=int, default=12800)
    parser.add_argument('--epochs', type=int, default=4)
    parser.add_argument('--batch-size', type=int, default=128)
    parser.add_argument('--json', default=None)
    parser.add_argument('--baseline', default=None, help='JSON written by the 1-rank run')
    args = parser.parse_args()

    np.random.seed(0)
    X = np.random.rand(args.samples, 784).astype('float32')
    Y = np.eye(10, dtype='float32')[np.random.randint(0, 10, args.samples)]
    model = Sequential([Dense(512, input_dim=784, activation='relu'), Dropout(0.2),
                        Dense(512, activation='relu'), Dropout(0.2),
                        Dense(10, activation='softmax')])
    model.compile(distributed.DistributedOptimizer(RMSprop()), 'categorical_crossentropy')
    start = time.time()
    model.train_on_batch(X[:args.batch_size], Y[:args.batch_size])  # compile + first step
    compile_s = time.time() - start
    epoch_times = []
    for _ in range(args.epochs):
        start = time.time()
        model.fit(X, Y, batch_size=args.batch_size, nb_epoch=1, verbose=0)
        epoch_times.append(time.time() - start)
    steady = float(np.median(epoch_times[1:] if len(epoch_times) > 1 else epoch_times))
    params = sum(int(np.prod(w.shape)) for w in model.get_weights())
    result = {'ranks': distributed.size(), 'samples_per_s': args.samples / steady,
              'compile_and_first_step_s': compile_s,
              # gradients + loss + sample count, float32, in one Allreduce per step
              'allreduce_bytes_per_step': (params + 2) * 4}
    if args.baseline:
        with open(args.baseline) as f:
            base = json.load(f)['samples_per_s']
        result['scaling_efficiency'] = result['samples_per_s'] / (base * result['ranks'])
    if distributed.is_root():
        print(json.dumps(result, indent=1))
        if args.json:
            with open(args.json, 'w') as f:
                json.dump(result, f, indent=1)


if __name__ == '__main__':
    main()
