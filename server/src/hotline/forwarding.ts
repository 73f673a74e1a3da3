// Where a report's content goes, from the centre profile's hotline routing (settings `hotlineRouting`):
// content hosted in the centre's own country follows the national procedure (its police unit); content
// hosted in another country goes to that country's INHOPE member hotline, or, where there is none, to the
// national police, which forwards it through its international channels. The centre's own member hotline
// is never a forwarding target from here (it would be sending the report to itself).
import type { HotlineClassification, HotlineForwarding, HotlineForwardingSuggestion, HotlineRouting, HotlineUrl, MemberHotline } from '@helpline/shared';
import { MEMBER_HOTLINES, memberHotline } from './member-hotlines.js';

/** Classifications nobody is asked to act on. */
const NOT_FORWARDED: readonly HotlineClassification[] = ['not-illegal', 'harmful-but-legal', 'out-of-remit'];

/** INHOPE lists the United Kingdom as UK; ISO 3166-1 says GB. */
export const inhopeCountry = (iso: string) => (iso.toUpperCase() === 'GB' ? 'UK' : iso.toUpperCase());

export function forwardingFor(urls: readonly Pick<HotlineUrl, 'id' | 'assessment'>[], routing: HotlineRouting, members: readonly MemberHotline[] = MEMBER_HOTLINES): HotlineForwarding {
  const own = inhopeCountry(routing.countryCode);
  const nationalMember = routing.nationalMemberCode ? (memberHotline(routing.nationalMemberCode) ?? null) : null;
  const byCountry = new Map<string, string[]>();
  for (const u of urls) {
    const a = u.assessment;
    if (!a?.hostingCountry || NOT_FORWARDED.includes(a.classification)) continue;
    const c = a.hostingCountry.toUpperCase();
    byCountry.set(c, [...(byCountry.get(c) ?? []), u.id]);
  }
  const suggestions = [...byCountry].map(([hostingCountry, urlIds]): HotlineForwardingSuggestion => {
    const country = inhopeCountry(hostingCountry);
    if (own && country === own) return { hostingCountry, route: 'national', kind: 'police', receiver: routing.policeUnit, urlIds };
    const member = members.find((m) => m.countryCode === country && m.code !== nationalMember?.code);
    return member ? { hostingCountry, route: 'member', kind: 'inhope', receiver: member.code, urlIds } : { hostingCountry, route: 'no_member', kind: 'police', receiver: routing.policeUnit, urlIds };
  });
  return { countryCode: routing.countryCode, nationalMember, suggestions };
}
