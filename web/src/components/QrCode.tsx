// A QR code drawn as SVG in the page, made in the browser (the secret never leaves it
// for an image service). One <path> of dark modules; no inline styles.
import qrcode from 'qrcode-generator';
import { useMemo } from 'preact/hooks';

interface QrCodeProps {
  text: string;
  /** The accessible name of the image. */
  label: string;
  /** Rendered size in CSS pixels. */
  size?: number;
}

const QUIET_ZONE = 4; // modules of white margin, as the standard asks

export function QrCode({ text, label, size = 200 }: QrCodeProps) {
  const { path, extent } = useMemo(() => {
    const qr = qrcode(0, 'M');
    qr.addData(text);
    qr.make();
    const count = qr.getModuleCount();
    let d = '';
    for (let row = 0; row < count; row++) {
      for (let col = 0; col < count; col++) {
        if (qr.isDark(row, col)) d += `M${col + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`;
      }
    }
    return { path: d, extent: count + QUIET_ZONE * 2 };
  }, [text]);
  return (
    <svg
      class="qr-code"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${extent} ${extent}`}
      width={size}
      height={size}
      shape-rendering="crispEdges"
    >
      <rect width={extent} height={extent} fill="#ffffff" />
      <path d={path} fill="#000000" />
    </svg>
  );
}
