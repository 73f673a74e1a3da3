// DATA TO MAINTAIN: INHOPE member hotlines by country, from INHOPE's public member list
// (https://www.inhope.org/EN/our-members). Check it at least yearly: members join, merge and rename.
// `code` is the stable identifier stored with a forwarding action.
import type { MemberHotline } from '@helpline/shared';

export const MEMBER_HOTLINES_REVIEWED = '2026-11';

export const MEMBER_HOTLINES: readonly MemberHotline[] = [
  { countryCode: 'AT', code: 'at-stopline', name: 'Stopline', website: 'https://www.stopline.at' },
  { countryCode: 'AU', code: 'au-esafety', name: 'eSafety Commissioner', website: 'https://www.esafety.gov.au' },
  { countryCode: 'BE', code: 'be-child-focus', name: 'Child Focus', website: 'https://childfocus.be' },
  { countryCode: 'BG', code: 'bg-safenet', name: 'Safenet (Bulgarian Safer Internet Centre)', website: 'https://www.safenet.bg' },
  { countryCode: 'CA', code: 'ca-cybertip', name: 'Cybertip.ca (Canadian Centre for Child Protection)', website: 'https://www.cybertip.ca' },
  { countryCode: 'CZ', code: 'cz-stoponline', name: 'Stop Online', website: 'https://www.stoponline.cz' },
  { countryCode: 'DE', code: 'de-eco', name: 'eco Beschwerdestelle', website: 'https://www.eco.de' },
  { countryCode: 'DE', code: 'de-fsm', name: 'FSM Beschwerdestelle', website: 'https://www.fsm.de' },
  { countryCode: 'DE', code: 'de-jugendschutz', name: 'jugendschutz.net', website: 'https://www.jugendschutz.net' },
  { countryCode: 'DK', code: 'dk-redbarnet', name: 'Red Barnet (Save the Children Denmark)', website: 'https://redbarnet.dk' },
  { countryCode: 'ES', code: 'es-incibe', name: 'INCIBE', website: 'https://www.incibe.es' },
  { countryCode: 'FI', code: 'fi-nettivihje', name: 'Nettivihje (Save the Children Finland)', website: 'https://www.nettivihje.fi' },
  { countryCode: 'FR', code: 'fr-pointdecontact', name: 'Point de Contact', website: 'https://www.pointdecontact.net' },
  { countryCode: 'GR', code: 'gr-safeline', name: 'SafeLine', website: 'https://www.safeline.gr' },
  { countryCode: 'HU', code: 'hu-internet-hotline', name: 'Internet Hotline (NMHH)', website: 'https://internethotline.hu' },
  { countryCode: 'IE', code: 'ie-hotline', name: 'Hotline.ie', website: 'https://hotline.ie' },
  { countryCode: 'IT', code: 'it-telefono-azzurro', name: 'Telefono Azzurro', website: 'https://azzurro.it' },
  { countryCode: 'LT', code: 'lt-rrt', name: 'RRT (Communications Regulatory Authority)', website: 'https://www.rrt.lt' },
  { countryCode: 'LV', code: 'lv-drossinternets', name: 'Drossinternets.lv', website: 'https://www.drossinternets.lv' },
  { countryCode: 'NL', code: 'nl-offlimits', name: 'Offlimits (formerly EOKM)', website: 'https://www.offlimits.nl' },
  { countryCode: 'PL', code: 'pl-dyzurnet', name: 'Dyżurnet.pl (NASK)', website: 'https://dyzurnet.pl' },
  { countryCode: 'PT', code: 'pt-linha-alerta', name: 'Linha Alerta', website: 'https://linhaalerta.internetsegura.pt' },
  { countryCode: 'RO', code: 'ro-esc-abuz', name: 'Esc_ABUZ (Save the Children Romania)', website: 'https://oradenet.salvaticopiii.ro' },
  { countryCode: 'RS', code: 'rs-net-patrola', name: 'Net Patrola', website: 'https://www.netpatrola.rs' },
  { countryCode: 'SI', code: 'si-spletno-oko', name: 'Spletno oko', website: 'https://www.spletno-oko.si' },
  { countryCode: 'SK', code: 'sk-stopline', name: 'Stopline.sk', website: 'https://www.stopline.sk' },
  { countryCode: 'UK', code: 'uk-iwf', name: 'Internet Watch Foundation (IWF)', website: 'https://www.iwf.org.uk' },
  { countryCode: 'US', code: 'us-ncmec', name: 'NCMEC CyberTipline', website: 'https://report.cybertip.org' },
];

export function memberHotline(code: string): MemberHotline | undefined {
  return MEMBER_HOTLINES.find((h) => h.code === code);
}
