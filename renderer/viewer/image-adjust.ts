/**
 * Brightness/contrast applied once per slider change onto a canvas (the GPU-backed canvas filter),
 * so that zooming, panning and painting redraw a ready bitmap instead of filtering every frame.
 */
export function adjustedImageCanvas(
  image: HTMLImageElement,
  brightness: number,
  contrast: number,
): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot create a 2D canvas.');
  ctx.filter = `brightness(${brightness}) contrast(${contrast})`;
  ctx.drawImage(image, 0, 0);
  return canvas;
}

export function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('The decoded image could not be displayed.'));
    img.src = src;
  });
}

/** The decoder's reconstruction (values 0..1 on the G×G grid) as a translucent cyan bitmap. */
export function reconstructionCanvas(values: readonly number[], size: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot create a 2D canvas.');
  const data = ctx.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const v = Math.min(1, Math.max(0, values[i] ?? 0));
    data.data[i * 4] = 0;
    data.data[i * 4 + 1] = 220;
    data.data[i * 4 + 2] = 255;
    data.data[i * 4 + 3] = Math.round(v * 150);
  }
  ctx.putImageData(data, 0, 0);
  return canvas;
}
