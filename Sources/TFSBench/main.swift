// Benchmarks live here; see BENCHMARKS.md.
print("tfs-bench")
