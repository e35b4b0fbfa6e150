// Counts in command output read as English: "1 repository", "2 repositories".
export const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
