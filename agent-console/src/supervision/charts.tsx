// A horizontal bar chart as inline SVG (no chart library), always paired with the same figures as a
// table so that screen readers and the CSV get exact values.
export interface Bar {
  key: string;
  label: string;
  value: number;
}

export function BarChart({ title, bars }: { title: string; bars: Bar[] }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const row = 22;
  const labelW = 180;
  const width = 520;
  const barW = width - labelW - 50;
  return (
    <svg class="bars" role="img" aria-label={title} viewBox={`0 0 ${width} ${Math.max(row, bars.length * row)}`} width="100%" preserveAspectRatio="xMinYMin meet">
      {bars.map((b, i) => {
        const w = Math.round((b.value / max) * barW);
        return (
          <g key={b.key} transform={`translate(0 ${i * row})`}>
            <text x={labelW - 6} y={row / 2 + 4} text-anchor="end" class="bar-label">
              {b.label}
            </text>
            <rect x={labelW} y={3} width={Math.max(w, b.value > 0 ? 2 : 0)} height={row - 6} rx={2} class="bar" />
            <text x={labelW + w + 6} y={row / 2 + 4} class="bar-value">
              {b.value}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
