// The query editor: a plain textarea (so typing, undo, selection and screen readers work as
// usual) over a highlighted <pre> kept in sync, a line-number gutter and an error marker.

import { highlight } from "./highlight.js";

export class Editor {
  constructor({ textarea, code, gutter, errorLine, errorCaret, onRun }) {
    Object.assign(this, { textarea, code, gutter, errorLine, errorCaret, onRun });
    this.escaped = false;
    textarea.addEventListener("input", () => this.refresh());
    textarea.addEventListener("scroll", () => this.syncScroll());
    textarea.addEventListener("keydown", (e) => this.onKey(e));
    // The box has a maximum height (then it scrolls); dragging its corner lifts it.
    const box = textarea.closest(".editor");
    box?.addEventListener("pointerdown", (e) => {
      const r = box.getBoundingClientRect();
      if (r.right - e.clientX < 18 && r.bottom - e.clientY < 18) box.classList.add("resized");
    });
    this.refresh();
  }

  get value() {
    return this.textarea.value;
  }

  set value(text) {
    this.textarea.value = text;
    this.refresh();
  }

  refresh() {
    const text = this.textarea.value;
    // A trailing newline needs one more line of room in the <pre>.
    this.code.innerHTML = highlight(text) + (text.endsWith("\n") || !text ? " " : "");
    const lines = text.split("\n").length;
    if (this.gutter.childElementCount !== lines) {
      this.gutter.textContent = "";
      for (let i = 1; i <= lines; i++) {
        const n = document.createElement("span");
        n.textContent = i;
        this.gutter.append(n);
      }
    }
    this.textarea.rows = Math.max(lines, 8);
    this.clearError();
    this.syncScroll();
  }

  syncScroll() {
    this.code.parentElement.scrollLeft = this.textarea.scrollLeft;
    this.code.parentElement.scrollTop = this.textarea.scrollTop;
  }

  onKey(e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
      e.preventDefault();
      this.onRun();
      return;
    }
    if (e.key === "Escape") {
      this.escaped = true;
      return;
    }
    if (e.key === "Tab" && !this.escaped && !e.ctrlKey && !e.altKey && !e.metaKey) {
      e.preventDefault();
      this.indent(e.shiftKey);
    }
    this.escaped = false;
  }

  /** Indent (or with Shift, outdent) the selected lines by two spaces, or insert two spaces. */
  indent(outdent) {
    const ta = this.textarea;
    const { selectionStart: start, selectionEnd: end, value } = ta;
    if (start === end && !outdent) {
      this.replace("  ", start, end);
    } else {
      const lineStart = value.lastIndexOf("\n", start - 1) + 1;
      const block = value.slice(lineStart, end).split("\n");
      const changed = block.map((l) => (outdent ? l.replace(/^ {1,2}/, "") : `  ${l}`)).join("\n");
      this.replace(changed, lineStart, end);
      ta.setSelectionRange(lineStart, lineStart + changed.length);
    }
    this.refresh();
  }

  /** Replace a range as typing would, so Ctrl+Z undoes it, when the editor has the focus;
   * otherwise (a prefix button was pressed) without moving the focus. */
  replace(text, from, to) {
    const ta = this.textarea;
    ta.setSelectionRange(from, to);
    const typed = document.activeElement === ta && document.execCommand("insertText", false, text);
    if (!typed) ta.setRangeText(text, from, to, "end");
  }

  /** Add a PREFIX declaration after the existing ones unless the prefix is declared already. */
  insertPrefix(prefix, namespace) {
    const text = this.textarea.value;
    if (new RegExp(`^\\s*PREFIX\\s+${prefix}:`, "im").test(text)) return false;
    const lines = text.split("\n");
    let at = 0;
    lines.forEach((line, i) => {
      if (/^\s*(PREFIX|BASE)\b/i.test(line) || (at === i && /^\s*#/.test(line))) at = i + 1;
    });
    const declaration = `PREFIX ${prefix}: <${namespace}>`;
    const offset = lines.slice(0, at).reduce((n, l) => n + l.length + 1, 0);
    if (offset > text.length) this.replace(`\n${declaration}`, text.length, text.length);
    else this.replace(`${declaration}\n`, offset, offset);
    this.refresh();
    return true;
  }

  /** Mark line and column (1-based) of a server-reported error and put the caret there. */
  showError(line, column) {
    const lines = this.textarea.value.split("\n");
    if (!line || line < 1 || line > lines.length) return;
    const style = getComputedStyle(this.textarea);
    const lineHeight = parseFloat(style.lineHeight);
    const top = parseFloat(style.paddingTop) + (line - 1) * lineHeight;
    this.errorLine.hidden = false;
    this.errorLine.style.top = `${top}px`;
    this.errorLine.style.height = `${lineHeight}px`;
    const col = Math.max(1, Math.min(column || 1, lines[line - 1].length + 1));
    this.errorCaret.hidden = false;
    this.errorCaret.style.top = `${top}px`;
    this.errorCaret.style.height = `${lineHeight}px`;
    this.errorCaret.style.left = `calc(${style.paddingLeft} + ${col - 1}ch - ${this.textarea.scrollLeft}px)`;
    this.gutter.children[line - 1]?.classList.add("bad");
    const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + col - 1;
    this.textarea.focus();
    this.textarea.setSelectionRange(offset, offset);
  }

  clearError() {
    this.errorLine.hidden = true;
    this.errorCaret.hidden = true;
    for (const n of this.gutter.querySelectorAll(".bad")) n.classList.remove("bad");
  }
}
