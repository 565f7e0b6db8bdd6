"""Speed and scale measurements (not timed tests); results go to benchmarks/out/."""
