/**
 * A min-heap of timed events, earliest first and, at the same time, in the order they were added
 * (a stable priority queue): the one queue behind both virtual clocks of the bench — the ASL
 * interpreter's (bench/support/asl.ts) and the decision model's (bench/fleetSim.ts).
 */
export class EventQueue<T> {
    private heap: { t: number; seq: number; value: T }[] = [];
    private seq = 0;

    get size(): number {
        return this.heap.length;
    }
    /** The earliest event's time, or undefined when empty. */
    peekTime(): number | undefined {
        return this.heap[0]?.t;
    }
    push(t: number, value: T): void {
        const h = this.heap;
        h.push({ t, seq: this.seq++, value });
        let i = h.length - 1;
        while (i > 0) {
            const p = (i - 1) >> 1;
            if (!this.less(i, p)) break;
            [h[p], h[i]] = [h[i], h[p]];
            i = p;
        }
    }
    /** Removes and returns the earliest event (ties: the one added first). */
    pop(): { t: number; value: T } | undefined {
        const h = this.heap;
        if (h.length === 0) return undefined;
        const top = h[0];
        const last = h.pop()!;
        if (h.length > 0) {
            h[0] = last;
            let i = 0;
            for (;;) {
                const l = 2 * i + 1;
                const r = l + 1;
                let m = i;
                if (l < h.length && this.less(l, m)) m = l;
                if (r < h.length && this.less(r, m)) m = r;
                if (m === i) break;
                [h[m], h[i]] = [h[i], h[m]];
                i = m;
            }
        }
        return { t: top.t, value: top.value };
    }
    private less(a: number, b: number): boolean {
        const h = this.heap;
        return h[a].t < h[b].t || (h[a].t === h[b].t && h[a].seq < h[b].seq);
    }
}
