package cognito

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/onair/onair/shared/awserr"
	"github.com/onair/onair/shared/onair"
)

// unconfirmedFilter selects users who never confirmed their sign-up.
const unconfirmedFilter = `cognito:user_status = "UNCONFIRMED"`

// ListUnconfirmedUsers returns every user of the pool whose sign-up was never
// confirmed, reading all pages (ListUsers returns 60 at most per page).
func (c *Client) ListUnconfirmedUsers(ctx context.Context) ([]onair.PoolUser, error) {
	p := cip.NewListUsersPaginator(c.api, &cip.ListUsersInput{
		UserPoolId:      aws.String(c.userPoolID),
		Filter:          aws.String(unconfirmedFilter),
		AttributesToGet: []string{"sub"},
		Limit:           aws.Int32(60),
	})
	var out []onair.PoolUser
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awserr.Map("cognito ListUsers", err)
		}
		for _, u := range page.Users {
			pu := onair.PoolUser{
				Username:  aws.ToString(u.Username),
				Status:    string(u.UserStatus),
				CreatedAt: aws.ToTime(u.UserCreateDate),
			}
			for _, a := range u.Attributes {
				if aws.ToString(a.Name) == "sub" {
					pu.Sub = aws.ToString(a.Value)
				}
			}
			out = append(out, pu)
		}
	}
	return out, nil
}
