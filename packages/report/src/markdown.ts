import { escapeHtml } from './columns.ts';

/**
 * The small Markdown subset this package writes (headings, pipe tables, nested lists, paragraphs,
 * **bold**, `code`, [links](url), > quotes) to HTML, so README.md and index.html come from one text.
 */
export function markdownToHtml(md: string): string {
  const lines = md.split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
    } else if (/^#{1,6} /.test(line)) {
      const level = (line.match(/^#+/) as RegExpMatchArray)[0].length;
      out.push(`<h${level}>${inline(line.slice(level + 1))}</h${level}>`);
      i++;
    } else if (line.startsWith('|')) {
      const rows: string[][] = [];
      while (i < lines.length && lines[i].startsWith('|')) rows.push(splitRow(lines[i++]));
      const [head, , ...body] = rows;
      out.push(
        `<table><thead><tr>${head.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>${body
          .map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`,
      );
    } else if (/^\s*- /.test(line)) {
      const items: { depth: number; text: string }[] = [];
      while (i < lines.length && /^\s*- /.test(lines[i])) {
        const m = lines[i++].match(/^(\s*)- (.*)$/) as RegExpMatchArray;
        items.push({ depth: Math.floor(m[1].length / 2), text: m[2] });
      }
      out.push(list(items));
    } else if (line.startsWith('> ')) {
      out.push(`<blockquote>${inline(line.slice(2))}</blockquote>`);
      i++;
    } else if (line.startsWith('<')) {
      // Raw HTML we wrote ourselves (details/summary).
      out.push(line);
      i++;
    } else {
      const para: string[] = [];
      while (i < lines.length && lines[i].trim() && !/^(#|\||\s*- |> |<)/.test(lines[i])) para.push(lines[i++]);
      out.push(`<p>${para.map(inline).join('<br>')}</p>`);
    }
  }
  return out.join('\n');
}

function list(items: { depth: number; text: string }[]): string {
  let html = '<ul>';
  let depth = 0;
  items.forEach((it, k) => {
    if (k > 0 && it.depth > depth) html += '<ul>';
    else if (k > 0) html += `</li>${'</ul></li>'.repeat(depth - it.depth)}`;
    depth = it.depth;
    html += `<li>${inline(it.text)}`;
  });
  return `${html}</li>${'</ul></li>'.repeat(depth)}</ul>`;
}

function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let k = 0; k < body.length; k++) {
    if (body[k] === '\\' && body[k + 1] === '|') {
      cur += '|';
      k++;
    } else if (body[k] === '|') {
      cells.push(cur.trim());
      cur = '';
    } else cur += body[k];
  }
  cells.push(cur.trim());
  return cells;
}

function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>');
}
