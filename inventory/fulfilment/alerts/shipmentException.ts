/**
 * What a shipment exception means for a person (CONTRACT.md §10): its severity and what to do.
 */
import type { Severity } from '../../alerts/index.js';
import type { ShipmentEvent, ShipmentExceptionCode } from '../contract.js';

/**
 * Severity and the action each exception code asks for. A lost or damaged parcel needs a claim
 * and a new parcel (high: mailed); a refusal or a bad address needs the customer; a carrier's delay
 * needs nothing yet but a watch (low).
 */
export const EXCEPTION_POLICY: Readonly<
  Record<ShipmentExceptionCode, { severity: Severity; action: string }>
> = {
  LOST: { severity: 'high', action: 'File a claim with the carrier and send the order again.' },
  DAMAGED: { severity: 'high', action: 'File a damage claim and send a replacement.' },
  REFUSED: { severity: 'medium', action: 'Contact the customer; expect the parcel back.' },
  ADDRESS_ISSUE: {
    severity: 'medium',
    action: 'Confirm the address with the customer and tell the carrier.',
  },
  DELAYED: { severity: 'low', action: 'Watch the next scan; tell the customer if it slips further.' },
};

/** The alert of one EXCEPTION event. */
export function exceptionAlert(e: ShipmentEvent): {
  severity: Severity;
  message: string;
  details: Record<string, unknown>;
} {
  const code = e.exceptionCode ?? 'DELAYED';
  const policy = EXCEPTION_POLICY[code];
  return {
    severity: policy.severity,
    message:
      `Shipment ${e.shipmentId} of order ${e.orderId} from ${e.warehouseId} (${e.carrier}` +
      `${e.trackingNumber ? ` ${e.trackingNumber}` : ''}): ${code}${e.detail ? ` — ${e.detail}` : ''}` +
      `${e.location ? ` at ${e.location}` : ''}. ${policy.action}`,
    details: {
      eventId: e.eventId,
      shipmentId: e.shipmentId,
      orderId: e.orderId,
      carrier: e.carrier,
      trackingNumber: e.trackingNumber,
      exceptionCode: code,
      occurredAt: e.occurredAt.toISOString(),
    },
  };
}
