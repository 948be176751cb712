/**
 * JST reply codes and messages the simulator uses (JST spec §8.1, §11.2). Messages marked
 * "invented" in the spec are ours; clients must classify by code, not by text.
 */
export const JST_OK_MSG = '执行成功'

export const JstCode = {
  ok: 0,
  badSign: 10,
  badToken: 100,
  ipNotAllowed: 110,
  emptyPayload: 130,
  badParam: 140,
  internal: 150,
  badTimestampS9: 180,
  noPermission: 190,
  tooFrequent: 199,
  quotaExceeded: 200,
  selfAppOnly: 21024,
} as const

export const JstMsg = {
  badSign: '验证失败！无效签名',
  badToken: '验证失败！无效的access_token或access_token已过期',
  ipNotAllowed: (ip: string) => `验证失败！已设置IP白名单，该IP不在白名单列表：${ip}，请登录开发者后台自行添加IP`,
  emptyPayload: '传输数据不能为空',
  badParam: '参数不符合规范,请检查传入参数!',
  internal: '内部处理异常！',
  badTimestampS9: '执行失败!timestamp无效，API服务端允许客户端请求最大时间误差为10分钟',
  badTimestampS1: '验证失败！无效的timestamp，请求最大时间误差15分钟',
  noPermission: '验证失败！无API权限，请申请API权限',
  tooFrequent: '调用太频繁，请稍后再试!',
  quotaExceeded: '调用频次超过限制!',
  selfAppOnly: '仅支持自有应用',
  isvNoRefresh: '服务商应用禁止刷新access_token,需商户重新授权',
} as const

/** A business or protocol rejection: code, message and the log reason key. */
export interface JstReject {
  readonly code: number
  readonly msg: string
  readonly reason: string
}

export function reject(code: number, msg: string, reason: string): JstReject {
  return { code, msg, reason }
}

/** 140 with a specific explanation appended (the explanation text is invented, JST spec §11.2 step 11). */
export function badParam(detail: string, reason: string): JstReject {
  return reject(JstCode.badParam, `${JstMsg.badParam}${detail}`, reason)
}
