/** Wiki links MediaWiki puts into OAuth error messages. */

/** `wfUrlencode`: PHP urlencode, then `;@$!*(),/~:` kept, as in MediaWiki's page URLs. */
export function wfUrlencode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, '+')
    .replace(/%(3B|40|24|21|2A|28|29|2C|2F|7E|3A)/g, (m) => decodeURIComponent(m));
}

/** `Utils::getCentralUserTalk`: the full URL of the user's talk page. */
export function userTalkUrl(origin: string, userName: string, articlePath = '/wiki'): string {
  return `${origin}${articlePath}/${wfUrlencode(`User_talk:${userName.replace(/ /g, '_')}`)}`;
}
