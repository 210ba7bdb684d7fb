/** A child's name as pages write it, or null when only their reference is kept (minimised records). */
export function childName(given: string | null, family: string | null): string | null {
  return given || family ? `${given ?? ''} ${family ?? ''}`.trim() : null;
}
