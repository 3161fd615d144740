/** `vector / max(||vector||, epsilon)`: unit length, so a dot product is the cosine similarity. */
export function l2Normalize(vector: ArrayLike<number>, epsilon = 1e-12): Float32Array {
  let squares = 0;
  for (let i = 0; i < vector.length; i++) squares += vector[i]! * vector[i]!;
  const norm = Math.max(Math.sqrt(squares), epsilon);
  return Float32Array.from({ length: vector.length }, (_, i) => vector[i]! / norm);
}
