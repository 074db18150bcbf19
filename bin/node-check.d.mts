export declare const REQUIRED_NODE_MAJOR: number;
export declare function nodeVersionProblem(version: string, command: string, howToRun?: string): string | null;
export declare function requireSupportedNode(command: string, howToRun?: string): void;
