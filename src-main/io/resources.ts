import { fileURLToPath } from 'node:url';

/** The bundled resources (samples, fonts): resources/ sits two levels above both src-main/io/ and the bundled out/main/. */
export const resourcesDir = fileURLToPath(new URL('../../resources/', import.meta.url));
