"""Writes small .npy files with NumPy (Debian's python3-numpy) for test/io.npy.test.ts.
    /usr/bin/python3 scripts/gen_npy_fixtures.py"""
import numpy as np

out = "test/fixtures/npy/"
np.save(out + "f32.npy", np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
np.save(out + "f64.npy", np.array([[1.5, -2.25]], dtype=np.float64))
np.save(out + "i64.npy", np.array([3, -7, 2**31 - 1, 0], dtype=np.int64))
np.save(out + "u8.npy", np.array([[0, 255], [7, 8]], dtype=np.uint8))
np.save(out + "bool.npy", np.array([True, False, True]))
np.save(out + "f16.npy", np.array([0.5, -1.0, 65504.0], dtype=np.float16))
np.save(out + "scalar.npy", np.float32(3.25))
np.save(out + "fortran.npy", np.asfortranarray(np.ones((2, 3), dtype=np.float32)))
np.save(out + "big_i64.npy", np.array([2**40], dtype=np.int64))
np.save(out + "complex.npy", np.array([1 + 2j], dtype=np.complex64))
with open(out + "v2.npy", "wb") as f:
    np.lib.format.write_array(f, np.array([1.0, 2.0], dtype=np.float32), version=(2, 0))
