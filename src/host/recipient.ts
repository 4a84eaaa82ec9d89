/** Who receives a signal: the main process, its whole process group, or every process below it. */
export type Recipient = 'main' | 'group' | 'children';
