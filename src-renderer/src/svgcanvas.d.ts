declare module 'svgcanvas' {
  /** A canvas-like element whose 2-D context draws SVG (zenozeng/svgcanvas). */
  export class Element {
    constructor(options: { width: number; height: number });
    width: number;
    height: number;
    getContext(type: '2d'): CanvasRenderingContext2D & { getSerializedSvg(fixNamedEntities?: boolean): string };
  }
}
