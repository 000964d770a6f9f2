/* Open MPI's MPI_Allreduce on 2 processes, the sizes of bench:ddp: the measurement behind the choice
 * of Gloo over MPI for ax.distributed (README, "Distributed training"). Dev-only:
 *   mpicc -O2 scripts/mpi-allreduce-bench.c -o /tmp/mpi-bench && mpirun --allow-run-as-root -np 2 /tmp/mpi-bench
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int sizes[] = {1 << 8, 1 << 12, 1 << 16, 1 << 20, 1 << 22};
  for (int s = 0; s < 5; s++) {
    int n = sizes[s];
    float *buf = malloc(sizeof(float) * n);
    for (int i = 0; i < n; i++) buf[i] = 1;
    for (int i = 0; i < 20; i++) MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    int iters = 0;
    /* the same iteration count on both ranks: rank 0's clock decides when to stop */
    for (int stop = 0; !stop; iters++) {
      MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
      stop = rank == 0 && MPI_Wtime() - t0 > 0.5;
      MPI_Bcast(&stop, 1, MPI_INT, 0, MPI_COMM_WORLD);
    }
    double per = (MPI_Wtime() - t0) / iters;
    if (rank == 0) printf("%d floats: %.3f ms (includes a 4-byte broadcast per iteration)\n", n, per * 1e3);
    free(buf);
  }
  MPI_Finalize();
  return 0;
}
