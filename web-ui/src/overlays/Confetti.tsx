// Confetti on a canvas for the celebration overlay (200 pieces, like the
// reference's react-confetti), without a dependency.

import { useEffect, useRef } from 'react';

const COLORS = ['#9146ff', '#ffd23f', '#34d1c4', '#ff8f7a', '#3a7bfd', '#20a86b', '#b7a6ff'];

export function Confetti({ pieces = 200 }: { pieces?: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    if (window.matchMedia?.('(prefers-reduced-motion: reduce)').matches) return;
    const fit = () => {
      canvas.width = canvas.clientWidth * devicePixelRatio;
      canvas.height = canvas.clientHeight * devicePixelRatio;
    };
    fit();
    const W = () => canvas.width, H = () => canvas.height;
    const parts = Array.from({ length: pieces }, () => ({
      x: Math.random() * W(),
      y: -Math.random() * H(),
      w: (6 + Math.random() * 6) * devicePixelRatio,
      h: (3 + Math.random() * 4) * devicePixelRatio,
      vy: (1.5 + Math.random() * 2.5) * devicePixelRatio,
      vx: (Math.random() - 0.5) * 1.5 * devicePixelRatio,
      a: Math.random() * Math.PI,
      va: (Math.random() - 0.5) * 0.2,
      c: COLORS[Math.floor(Math.random() * COLORS.length)],
    }));
    let raf = 0;
    const tick = () => {
      ctx.clearRect(0, 0, W(), H());
      for (const p of parts) {
        p.x += p.vx + Math.sin(p.a) * 0.6;
        p.y += p.vy;
        p.a += p.va;
        if (p.y > H()) {
          p.y = -10;
          p.x = Math.random() * W();
        }
        ctx.save();
        ctx.translate(p.x, p.y);
        ctx.rotate(p.a);
        ctx.fillStyle = p.c;
        ctx.fillRect(-p.w / 2, -p.h / 2, p.w, p.h);
        ctx.restore();
      }
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    window.addEventListener('resize', fit);
    return () => {
      cancelAnimationFrame(raf);
      window.removeEventListener('resize', fit);
    };
  }, [pieces]);
  return <canvas ref={ref} className="confetti" aria-hidden="true" />;
}
