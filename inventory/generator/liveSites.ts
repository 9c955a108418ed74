/**
 * Where the live stream's events come from over time: which warehouses are open at an instant,
 * how busy each one is, and what share of the stream each site takes over a week.
 */
import type { MasterData } from './master.js';
import { hourWeight, isOpen, weekdayWeight } from './shape.js';
import { DAY_MS, ZoneClock, dayIndex, weekday } from './zone.js';

export interface SiteSchedule {
  /** Whether warehouse `site` is open at `t` (always, without business hours). */
  openAt(site: number, t: number): boolean;
  /**
   * Which warehouses are open at `t`, and each one's draw weight; `closed` when every warehouse
   * is closed and the stream carries on from all of them.
   */
  sitesAt(t: number): { open: boolean[]; weights: number[]; closed: boolean };
  /** Each site's share of the stream over its first week, relative to its size. */
  siteLoad: number[];
}

export function siteSchedule(
  warehouses: MasterData['warehouses'],
  businessHoursOnly: boolean,
  startMs: number,
): SiteSchedule {
  const clocks = warehouses.map((w) => new ZoneClock(w.timezone));
  const openAt = (site: number, t: number): boolean => {
    if (!businessHoursOnly) return true;
    const wall = clocks[site]!.wall(t);
    const second = Math.floor((wall - dayIndex(wall) * DAY_MS) / 1000);
    return isOpen(warehouses[site]!, weekday(dayIndex(wall)), second);
  };
  /**
   * Which warehouses are open at `t`, and each one's weight in the draw: its size times how busy
   * its local hour is. When every warehouse is closed the stream carries on from all of them.
   */
  const sitesAt = (t: number): { open: boolean[]; weights: number[]; closed: boolean } => {
    const open = warehouses.map((_, i) => openAt(i, t));
    if (!open.some(Boolean)) {
      return {
        open: warehouses.map(() => true),
        weights: warehouses.map((w) => w.demandFactor),
        closed: true,
      };
    }
    const weights = warehouses.map((w, i) => {
      const wall = clocks[i]!.wall(t);
      const busy =
        weekdayWeight(w, weekday(dayIndex(wall))) * hourWeight(Math.floor((wall % DAY_MS) / 3_600_000));
      return open[i] ? w.demandFactor * Math.max(busy, 0.05) : 0;
    });
    return { open, weights, closed: false };
  };
  // The stream's rate is the same at every hour, so a warehouse open while others are closed takes
  // their share: over a week some sites sell more than their size says, others less. Each pair is
  // stocked for the demand it will really see (sampled every quarter-hour of the first week).
  const share = warehouses.map(() => 0);
  const steps = (7 * DAY_MS) / 900_000;
  for (let k = 0; k < steps; k++) {
    const { weights } = sitesAt(startMs + k * 900_000);
    const total = weights.reduce((a, b) => a + b, 0);
    weights.forEach((w, i) => (share[i]! += w / total / steps));
  }
  const totalFactor = warehouses.reduce((sum, w) => sum + w.demandFactor, 0);
  const siteLoad = warehouses.map((w, i) => share[i]! / (w.demandFactor / totalFactor));
  return { openAt, sitesAt, siteLoad };
}
