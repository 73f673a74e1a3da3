// Texts of the phone line: the counsellor's softphone and the call bar of a phone conversation.
import { extendMessages } from '../i18n/index.js';

extendMessages('en', {
  'call.bar': 'Phone call',
  'call.state.connecting': 'Ringing your softphone…',
  'call.state.talking': 'On the call',
  'call.state.held': 'On hold',
  'call.state.ended': 'The call has ended',
  'call.state.waiting': 'Waiting',
  'call.state.failed': 'The call could not be put through to your softphone',
  'call.mute': 'Mute',
  'call.unmute': 'Unmute',
  'call.hold': 'Hold',
  'call.resume': 'Resume',
  'call.hangup': 'Hang up',
  'call.times': 'Waited {waited} · talked {talked} · on hold {held}',
  'call.noMicrophone': 'The browser has no microphone for this call: allow it and try again',
  'phone.ready': 'Phone: ready',
  'phone.offline': 'Phone: not connected',
});

extendMessages('bg', {
  'call.bar': 'Телефонно обаждане',
  'call.state.connecting': 'Звъни на вашия софтуерен телефон…',
  'call.state.talking': 'В разговор',
  'call.state.held': 'Задържано',
  'call.state.ended': 'Разговорът приключи',
  'call.state.waiting': 'Чака',
  'call.state.failed': 'Обаждането не можа да бъде прехвърлено към вашия софтуерен телефон',
  'call.mute': 'Без звук',
  'call.unmute': 'Със звук',
  'call.hold': 'Задръж',
  'call.resume': 'Продължи',
  'call.hangup': 'Затвори',
  'call.times': 'Изчакване {waited} · разговор {talked} · задържане {held}',
  'call.noMicrophone': 'Браузърът няма микрофон за този разговор: разрешете го и опитайте отново',
  'phone.ready': 'Телефон: готов',
  'phone.offline': 'Телефон: не е свързан',
});

extendMessages('sr-Cyrl', {
  'call.bar': 'Телефонски позив',
  'call.state.connecting': 'Звони ваш софтверски телефон…',
  'call.state.talking': 'У разговору',
  'call.state.held': 'На чекању',
  'call.state.ended': 'Позив је завршен',
  'call.state.waiting': 'Чека',
  'call.state.failed': 'Позив није могао да буде пребачен на ваш софтверски телефон',
  'call.mute': 'Искључи микрофон',
  'call.unmute': 'Укључи микрофон',
  'call.hold': 'Стави на чекање',
  'call.resume': 'Настави',
  'call.hangup': 'Прекини',
  'call.times': 'Чекање {waited} · разговор {talked} · на чекању {held}',
  'call.noMicrophone': 'Прегледач нема микрофон за овај позив: дозволите га и покушајте поново',
  'phone.ready': 'Телефон: спреман',
  'phone.offline': 'Телефон: није повезан',
});
