"""demo/python: counts the files the other demo tasks published, as JSON in publish/."""
import json
import os

tasks = os.path.dirname(os.environ["TFS_TASK_DIR"])
counts = {}
for name in sorted(os.listdir(tasks)):
    history = os.path.join(tasks, name, "history")
    counts[name] = sum(len(files) for _, _, files in os.walk(history)) if os.path.isdir(history) else 0
with open(os.path.join(os.environ["TFS_PUBLISH_DIR"], "counts.json"), "w") as f:
    json.dump(counts, f, indent=2)
print(f"run {os.environ['TFS_RUN_ID']}: published files so far: {counts}")
