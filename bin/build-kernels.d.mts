/** The folder of the kernels' text and generated modules (src-main/engines/kernels/). */
export const kernelsFolder: string;
/** The binary module assembled from the text at `watPath`, base64-encoded. */
export function assembleKernel(watPath: string): Promise<string>;
/** The TypeScript module that carries a kernel's binary. */
export function kernelModuleText(name: string, base64: string): string;
