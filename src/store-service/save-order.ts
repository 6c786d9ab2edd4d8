/**
 * The order of a viewer's edits of a stored case, whatever the transport. The service saves a
 * case's edits in the order the calls reach it; over the web host each call is its own HTTP
 * request, and two sent a few ms apart can reach it the other way round. Each edit the viewer sends
 * carries its place among that viewer's edits (EditOrder), and an edit older than one of the same
 * viewer already saved is not saved: the case's latest masks and estimate stay the newer ones.
 */
import type { EditOrder } from '../api/contract';

/**
 * Viewers remembered per case. A viewer is a page (a reload is a new one), so only a few are ever
 * live; one forgotten goes back to "saved as it arrives", as a caller without an order is.
 */
const VIEWERS_PER_CASE = 8;

export class SavedEditOrder {
  /** Per stored case, per viewer: the newest `seq` whose masks were saved. */
  private readonly newest = new Map<number, Map<string, number>>();

  /**
   * Whether an edit sent as `order` is older than an edit of the same viewer already saved for
   * the case. An edit without an order, or from another viewer, is never superseded: two windows
   * are not compared, the last to arrive is the latest.
   */
  isSuperseded(caseId: number, order: EditOrder | null | undefined): boolean {
    if (!order) return false;
    const saved = this.newest.get(caseId)?.get(order.viewer);
    return saved !== undefined && order.seq < saved;
  }

  /** Records that the masks of the edit sent as `order` were saved for the case. */
  recordSaved(caseId: number, order: EditOrder | null | undefined): void {
    if (!order) return;
    let viewers = this.newest.get(caseId);
    if (!viewers) this.newest.set(caseId, (viewers = new Map()));
    const saved = viewers.get(order.viewer);
    // Most recently saved last: the Map's order is the order viewers are forgotten in.
    viewers.delete(order.viewer);
    viewers.set(order.viewer, Math.max(saved ?? order.seq, order.seq));
    for (const oldest of viewers.keys()) {
      if (viewers.size <= VIEWERS_PER_CASE) break;
      viewers.delete(oldest);
    }
  }
}
