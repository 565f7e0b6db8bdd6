// Word-level differences between two versions of an answer, for the reviewer console.

const MAX_CELLS = 4_000_000; // beyond this the changed middle is shown as removed + added

/** [{op: 'same'|'del'|'ins', text}] turning `before` into `after`, word by word. */
export function wordDiff(before, after) {
  const a = before.split(/(\s+)/).filter(Boolean);
  const b = after.split(/(\s+)/).filter(Boolean);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  const ops = [];
  push(ops, 'same', a.slice(0, start).join(''));
  middle(ops, a.slice(start, endA), b.slice(start, endB));
  push(ops, 'same', a.slice(endA).join(''));
  return ops;
}

function push(ops, op, text) {
  if (!text) return;
  const last = ops[ops.length - 1];
  if (last && last.op === op) last.text += text;
  else ops.push({ op, text });
}

// Longest common subsequence of the changed middle, then walked from the start.
function middle(ops, a, b) {
  if (!a.length || !b.length || a.length * b.length > MAX_CELLS) {
    push(ops, 'del', a.join(''));
    push(ops, 'ins', b.join(''));
    return;
  }
  const width = b.length + 1;
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * width + j] = a[i] === b[j]
        ? table[(i + 1) * width + j + 1] + 1
        : Math.max(table[(i + 1) * width + j], table[i * width + j + 1]);
    }
  }
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) { push(ops, 'same', a[i]); i++; j++; }
    else if (table[(i + 1) * width + j] >= table[i * width + j + 1]) { push(ops, 'del', a[i]); i++; }
    else { push(ops, 'ins', b[j]); j++; }
  }
  push(ops, 'del', a.slice(i).join(''));
  push(ops, 'ins', b.slice(j).join(''));
}
