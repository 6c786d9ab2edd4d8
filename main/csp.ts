/**
 * The Content-Security-Policy of the renderer, one string for both hosts (Electron session header
 * and web host response header). No remote content, no inline or eval'd script; images only from
 * the app itself and the data:/blob: URLs the API returns (decoded ultrasound PNGs, overlays).
 * React and Konva set styles through the CSSOM, which CSP does not restrict, so no 'unsafe-inline'.
 */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');
